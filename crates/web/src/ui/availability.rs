//! My availability (SPEC 9): the weekly schedule and unavailability periods.
//! Times are in Montreal local time; dates are turned into instants here.

use crate::ui::page::{app_layout, error_notice, redirect_with_flash, Page, Ready};
use crate::WebState;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use cercle_app::accounts::SessionView;
use cercle_app::availability::{self, PeriodInput, ScheduleInput};
use cercle_app::AppError;
use cercle_domain::availability::Slot;
use cercle_domain::local_time::{parse_iso_date, LocalTime, Zone};
use cercle_domain::policy::Principal;
use cercle_domain::InputError;
use maud::html;
use serde::Deserialize;

const HERE: &str = "/availability";

/// Everyone's: professionals, patients and caregivers alike.
pub fn routes() -> Router<WebState> {
    Router::new()
        .route(HERE, get(show))
        .route("/availability/slots", post(add_slot))
        .route("/availability/slots/remove", post(remove_slot))
        .route("/availability/periods", post(add_period))
        .route("/availability/periods/{id}/remove", post(remove_period))
}

/// "Absent until <date> — <message>", as collaborators see it.
pub fn absent_until(time: &LocalTime, a: &availability::Absence) -> String {
    let date = time.date_time(a.until);
    let text = cercle_i18n::ta(time.lang, "avail-absent-until", &[("date", &date)]);
    match &a.message {
        Some(m) => format!("{text} — {m}"),
        None => text,
    }
}

fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// "HH:MM" to minutes; an end at 00:00 means midnight at the end of the day.
fn minutes(raw: &str, end: bool) -> Result<u16, AppError> {
    let bad = || AppError::Input(InputError::AvailabilitySlotInvalid);
    let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(bad());
    }
    let total = h * 60 + m;
    Ok(if end && total == 0 { 1440 } else { total })
}

/// "YYYY-MM-DD" (in the person's time zone) to the instant of its midnight.
fn date_ms(raw: &str, zone: &Zone) -> Result<i64, AppError> {
    let bad = || AppError::Input(InputError::AvailabilityPeriodInverted);
    let (y, m, d) = parse_iso_date(raw).ok_or_else(bad)?;
    if !(1..=9999).contains(&y) {
        return Err(bad());
    }
    zone.to_utc_ms(y, m, d, 0).ok_or_else(bad)
}

async fn show(State(state): State<WebState>, page: Page, Ready { view, principal }: Ready) -> Response {
    render(&state, &page, &view, &principal, None, &Kept::default()).await
}

/// What was typed in a refused form, shown again so nothing is lost.
#[derive(Default)]
struct Kept {
    day: Option<u8>,
    start: Option<String>,
    end: Option<String>,
    from: String,
    until: String,
    message: String,
}

async fn render(
    state: &WebState,
    page: &Page,
    view: &SessionView,
    principal: &Principal,
    error: Option<(&str, AppError)>,
    kept: &Kept,
) -> Response {
    let schedule = availability::schedule(&state.ctx, principal).await;
    let periods = availability::periods(&state.ctx, principal).await;
    let notice = |at: &str| match &error {
        Some((w, e)) if *w == at => error_notice(page.lang, e),
        _ => html! {},
    };
    let days: Vec<(u8, String)> = (0..7u8).map(|d| (d, page.t(&format!("avail-day-{d}")))).collect();
    let content = html! {
        h1 { (page.t("avail-title")) }
        p class="lead" { (page.ta(if view.user.circle_only { "avail-care-intro" } else { "avail-intro" }, &[("zone", page.time.zone.name())])) }
        section class="card" id="schedule" data-testid="schedule" {
            h2 { (page.t("avail-schedule-title")) }
            p class="hint" { (page.t("avail-schedule-hint")) }
            (notice("schedule"))
            @match &schedule {
                Err(e) => { (error_notice(page.lang, e)) }
                Ok(s) if s.slots.is_empty() => { p class="muted" { (page.t("avail-schedule-empty")) } }
                Ok(s) => {
                    ul class="net-list" {
                        @for slot in &s.slots {
                            li class="net-item" {
                                div class="net-item-main" {
                                    strong { (days[usize::from(slot.day.min(6))].1) } " " (hhmm(slot.start)) " – " (hhmm(slot.end))
                                }
                                form method="post" action="/availability/slots/remove" class="net-actions" {
                                    (page.csrf_field())
                                    input type="hidden" name="day" value=(slot.day);
                                    input type="hidden" name="start" value=(hhmm(slot.start));
                                    button type="submit" class="secondary small" { (page.t("avail-remove")) }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action="/availability/slots" {
                (page.csrf_field())
                div class="field" {
                    label for="avail-day" { (page.t("avail-day")) }
                    select id="avail-day" name="day" {
                        @for (d, name) in &days { option value=(d) selected[*d == kept.day.unwrap_or(1)] { (name) } }
                    }
                }
                div class="field" {
                    label for="avail-start" { (page.t("avail-start")) }
                    input id="avail-start" type="time" name="start" value=(kept.start.as_deref().unwrap_or("09:00")) required;
                }
                div class="field" {
                    label for="avail-end" { (page.t("avail-end")) }
                    input id="avail-end" type="time" name="end" value=(kept.end.as_deref().unwrap_or("17:00")) required;
                }
                button type="submit" class="secondary" { (page.t("avail-add-slot")) }
            }
        }
        section class="card" id="periods" data-testid="periods" {
            h2 { (page.t("avail-periods-title")) }
            (notice("periods"))
            @match &periods {
                Err(e) => { (error_notice(page.lang, e)) }
                Ok(list) if list.is_empty() => { p class="muted" { (page.t("avail-periods-empty")) } }
                Ok(list) => {
                    ul class="net-list" {
                        @for p in list {
                            li class="net-item" {
                                div class="net-item-main" {
                                    (page.date_time(p.starts_at)) " → " strong { (page.date_time(p.ends_at)) }
                                    @if p.current { " " span class="badge" { (page.t("avail-current")) } }
                                    @if let Some(m) = &p.message { div class="muted small" { (m) } }
                                }
                                form method="post" action=(format!("/availability/periods/{}/remove", p.id)) class="net-actions" {
                                    (page.csrf_field())
                                    button type="submit" class="secondary small" { (page.t("avail-remove")) }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action="/availability/periods" {
                (page.csrf_field())
                div class="field" {
                    label for="avail-from" { (page.t("avail-period-from")) }
                    input id="avail-from" type="date" name="from" value=(kept.from) required;
                }
                div class="field" {
                    label for="avail-return" { (page.t("avail-period-return")) }
                    input id="avail-return" type="date" name="until" value=(kept.until) required;
                }
                div class="field" {
                    label for="avail-message" { (page.t(if view.user.circle_only { "avail-care-period-message" } else { "avail-period-message" })) }
                    input id="avail-message" type="text" name="message" maxlength="280" value=(kept.message);
                }
                button type="submit" class="secondary" { (page.t("avail-add-period")) }
            }
        }
    };
    app_layout(state, page, view, &page.t("avail-title"), content).await
}

#[derive(Deserialize)]
pub struct SlotForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
}

/// The current schedule changed by `change`, then saved.
async fn change_schedule(
    state: &WebState,
    page: &Page,
    principal: &Principal,
    change: impl FnOnce(&mut Vec<Slot>) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let mut slots = availability::schedule(&state.ctx, principal).await?.slots;
    change(&mut slots)?;
    availability::set_schedule(&state.ctx, &page.client, principal, &ScheduleInput { slots }).await?;
    Ok(())
}

fn day_of(raw: &str) -> Result<u8, AppError> {
    raw.trim()
        .parse::<u8>()
        .map_err(|_| AppError::Input(InputError::AvailabilitySlotInvalid))
}

async fn add_slot(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<SlotForm>,
) -> Response {
    let result = change_schedule(&state, &page, &principal, |slots| {
        slots.push(Slot {
            day: day_of(&f.day)?,
            start: minutes(&f.start, false)?,
            end: minutes(&f.end, true)?,
        });
        Ok(())
    })
    .await;
    let kept = Kept {
        day: f.day.trim().parse().ok(),
        start: Some(f.start.clone()),
        end: Some(f.end.clone()),
        ..Kept::default()
    };
    match result {
        Ok(()) => redirect_with_flash(&state, HERE, "avail-saved"),
        Err(e) => render(&state, &page, &view, &principal, Some(("schedule", e)), &kept).await,
    }
}

async fn remove_slot(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<SlotForm>,
) -> Response {
    let result = change_schedule(&state, &page, &principal, |slots| {
        let (day, start) = (day_of(&f.day)?, minutes(&f.start, false)?);
        slots.retain(|s| !(s.day == day && s.start == start));
        Ok(())
    })
    .await;
    match result {
        Ok(()) => redirect_with_flash(&state, HERE, "avail-saved"),
        Err(e) => {
            render(
                &state,
                &page,
                &view,
                &principal,
                Some(("schedule", e)),
                &Kept::default(),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct PeriodForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    message: String,
}

async fn add_period(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Form(f): Form<PeriodForm>,
) -> Response {
    let result = async {
        let input = PeriodInput {
            starts_at: date_ms(&f.from, &page.time.zone)?,
            ends_at: date_ms(&f.until, &page.time.zone)?,
            message: Some(f.message.clone()),
        };
        availability::add_period(&state.ctx, &page.client, &principal, &input).await
    }
    .await;
    let kept = Kept {
        from: f.from.clone(),
        until: f.until.clone(),
        message: f.message.clone(),
        ..Kept::default()
    };
    match result {
        Ok(_) => redirect_with_flash(&state, HERE, "avail-saved"),
        Err(e) => render(&state, &page, &view, &principal, Some(("periods", e)), &kept).await,
    }
}

async fn remove_period(
    State(state): State<WebState>,
    page: Page,
    Ready { view, principal }: Ready,
    Path(id): Path<String>,
) -> Response {
    let done = match id.parse() {
        Ok(id) => availability::remove_period(&state.ctx, &page.client, &principal, id).await,
        Err(e) => Err(e.into()),
    };
    match done {
        Ok(()) => redirect_with_flash(&state, HERE, "avail-saved"),
        Err(e) => render(&state, &page, &view, &principal, Some(("periods", e)), &Kept::default()).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_dates_are_read() {
        assert_eq!(minutes("09:30", false).ok(), Some(570));
        assert_eq!(minutes("00:00", true).ok(), Some(1440));
        assert_eq!(minutes("00:00", false).ok(), Some(0));
        assert!(minutes("25:00", false).is_err());
        assert!(minutes("nine", false).is_err());
        let montreal = Zone::montreal();
        // 2026-07-15 00:00 EDT is 04:00 UTC; 00:00 ADT in Halifax is 03:00 UTC.
        assert_eq!(date_ms("2026-07-15", &montreal).ok(), Some(1_784_088_000_000));
        let halifax = Zone::parse("America/Halifax").expect("known zone");
        assert_eq!(date_ms("2026-07-15", &halifax).ok(), Some(1_784_084_400_000));
        assert!(date_ms("2026-13-01", &montreal).is_err());
        assert!(date_ms("2026-02-30", &montreal).is_err());
        assert!(date_ms("", &montreal).is_err());
    }
}
