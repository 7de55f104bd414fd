//! Availability (SPEC 9): a weekly schedule of working hours in the
//! person's local time, and unavailability periods with a return date. Pure rules; the
//! time is always passed in (never read here).
//!
//! An empty schedule means "no schedule": available at any hour, except
//! during an unavailability period.

use crate::local_time::Zone;
use crate::{InputError, Timestamp};
use serde::{Deserialize, Serialize};

/// Minutes in a day: slot ends go up to 1440 (midnight at the end of the day).
pub const DAY_MINUTES: u16 = 1440;
/// Slots in a weekly schedule, at most.
pub const MAX_SLOTS: usize = 50;
/// Periods not yet over, at most.
pub const MAX_FUTURE_PERIODS: usize = 100;
/// The optional message of a period, in characters.
pub const MAX_MESSAGE: usize = 280;

/// A span of working hours on one day of the week, in the person's local time:
/// `day` 0 = Sunday … 6 = Saturday, `start` and `end` in minutes from
/// midnight, `start < end <= 1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Slot {
    pub day: u8,
    pub start: u16,
    pub end: u16,
}

impl Slot {
    pub fn contains(&self, day: u8, minute: u16) -> bool {
        self.day == day && self.start <= minute && minute < self.end
    }
}

/// A valid weekly schedule: slots sorted by day then start, none inverted,
/// none overlapping another on the same day, at most [`MAX_SLOTS`]; read in
/// a time zone (the person's; Montreal until told otherwise).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Schedule {
    slots: Vec<Slot>,
    #[serde(skip)]
    zone: Zone,
}

impl Schedule {
    pub fn parse(slots: &[Slot]) -> Result<Schedule, InputError> {
        if slots.len() > MAX_SLOTS {
            return Err(InputError::AvailabilityTooManySlots);
        }
        if slots
            .iter()
            .any(|s| s.day > 6 || s.start >= s.end || s.end > DAY_MINUTES)
        {
            return Err(InputError::AvailabilitySlotInvalid);
        }
        let mut sorted = slots.to_vec();
        sorted.sort();
        if sorted.windows(2).any(|w| w[0].day == w[1].day && w[1].start < w[0].end) {
            return Err(InputError::AvailabilitySlotsOverlap);
        }
        Ok(Schedule {
            slots: sorted,
            zone: Zone::default(),
        })
    }
    /// The same schedule, read in `zone`.
    pub fn in_zone(self, zone: Zone) -> Schedule {
        Schedule { zone, ..self }
    }
    pub fn zone(&self) -> &Zone {
        &self.zone
    }
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
    /// Within working hours at `at` (an empty schedule always is).
    pub fn covers(&self, at: Timestamp) -> bool {
        if self.slots.is_empty() {
            return true;
        }
        let (day, minute) = self.zone.weekday_minute(at.0);
        self.slots.iter().any(|s| s.contains(day, minute))
    }
}

/// A period of unavailability: from `starts_at` to `ends_at` (the return,
/// excluded), with an optional message for collaborators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub message: Option<String>,
}

impl Period {
    /// A new period: not inverted nor empty, not already over at `now`, the
    /// message trimmed, at most [`MAX_MESSAGE`] characters, no control
    /// characters (empty means none).
    pub fn new(
        starts_at: Timestamp,
        ends_at: Timestamp,
        message: Option<&str>,
        now: Timestamp,
    ) -> Result<Period, InputError> {
        if starts_at >= ends_at {
            return Err(InputError::AvailabilityPeriodInverted);
        }
        if ends_at <= now {
            return Err(InputError::AvailabilityPeriodPast);
        }
        let message = match message.map(str::trim) {
            None | Some("") => None,
            Some(m) if m.chars().count() > MAX_MESSAGE => return Err(InputError::TextTooLong),
            Some(m) if m.chars().any(char::is_control) => return Err(InputError::InvalidText),
            Some(m) => Some(m.to_string()),
        };
        Ok(Period {
            starts_at,
            ends_at,
            message,
        })
    }
    pub fn overlaps(&self, other: &Period) -> bool {
        self.starts_at < other.ends_at && other.starts_at < self.ends_at
    }
    pub fn contains(&self, at: Timestamp) -> bool {
        self.starts_at <= at && at < self.ends_at
    }
}

/// Whether `new` may join the person's `existing` periods: it overlaps none
/// of them (touching is fine: one may return and leave again the same
/// instant), and no more than [`MAX_FUTURE_PERIODS`] would be not yet over.
pub fn check_new_period(existing: &[Period], new: &Period, now: Timestamp) -> Result<(), InputError> {
    if existing.iter().any(|p| p.overlaps(new)) {
        return Err(InputError::AvailabilityPeriodsOverlap);
    }
    if existing.iter().filter(|p| p.ends_at > now).count() >= MAX_FUTURE_PERIODS {
        return Err(InputError::AvailabilityTooManyPeriods);
    }
    Ok(())
}

/// Available at `at`: within working hours and in no period.
pub fn is_available(schedule: &Schedule, periods: &[Period], at: Timestamp) -> bool {
    schedule.covers(at) && !periods.iter().any(|p| p.contains(at))
}

/// When the person is back if absent at `at`, with the message of the
/// current period. Periods that follow one another without a gap count as
/// one absence: the return is the end of the last.
pub fn absent_until(periods: &[Period], at: Timestamp) -> Option<(Timestamp, Option<String>)> {
    let current = periods.iter().find(|p| p.contains(at))?;
    let mut until = current.ends_at;
    // Bounded: each step moves to a later end among finitely many periods.
    while let Some(next) = periods
        .iter()
        .filter(|p| p.starts_at <= until && p.ends_at > until)
        .max_by_key(|p| p.ends_at)
    {
        until = next.ends_at;
    }
    Some((until, current.message.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;
    /// Monday 2026-07-13 00:00 EDT (04:00 UTC).
    const MONDAY: i64 = 1_783_915_200_000;

    fn slot(day: u8, start: u16, end: u16) -> Slot {
        Slot { day, start, end }
    }

    fn period(start: i64, end: i64, msg: Option<&str>) -> Period {
        Period::new(Timestamp(start), Timestamp(end), msg, Timestamp(0)).expect("valid period")
    }

    #[test]
    fn monday_is_monday_in_montreal() {
        assert_eq!(Zone::montreal().weekday_minute(MONDAY), (1, 0));
        assert_eq!(Zone::montreal().weekday_minute(MONDAY - 1), (0, 1439));
    }

    #[test]
    fn slots_are_checked_and_sorted() {
        let s = Schedule::parse(&[slot(1, 780, 1020), slot(1, 480, 720), slot(0, 0, 1440)]).expect("valid");
        assert_eq!(s.slots(), &[slot(0, 0, 1440), slot(1, 480, 720), slot(1, 780, 1020)]);
        // Touching slots are fine.
        assert!(Schedule::parse(&[slot(2, 480, 720), slot(2, 720, 900)]).is_ok());
        // Same hours on different days are fine.
        assert!(Schedule::parse(&[slot(2, 480, 720), slot(3, 480, 720)]).is_ok());
        for bad in [slot(1, 600, 600), slot(1, 700, 600), slot(7, 0, 60), slot(1, 0, 1441)] {
            assert_eq!(
                Schedule::parse(&[bad]),
                Err(InputError::AvailabilitySlotInvalid),
                "{bad:?}"
            );
        }
        assert_eq!(
            Schedule::parse(&[slot(4, 480, 720), slot(4, 700, 900)]),
            Err(InputError::AvailabilitySlotsOverlap)
        );
        assert_eq!(
            Schedule::parse(&[slot(4, 480, 720), slot(4, 480, 720)]),
            Err(InputError::AvailabilitySlotsOverlap)
        );
        let many: Vec<Slot> = (0..51)
            .map(|i| slot((i % 7) as u8, i as u16 * 10, i as u16 * 10 + 5))
            .collect();
        assert_eq!(Schedule::parse(&many), Err(InputError::AvailabilityTooManySlots));
        assert!(Schedule::parse(&many[..50]).is_ok());
    }

    #[test]
    fn periods_are_checked() {
        let now = Timestamp(MONDAY);
        assert_eq!(
            Period::new(Timestamp(MONDAY + H), Timestamp(MONDAY), None, now),
            Err(InputError::AvailabilityPeriodInverted)
        );
        assert_eq!(
            Period::new(Timestamp(MONDAY), Timestamp(MONDAY), None, now),
            Err(InputError::AvailabilityPeriodInverted)
        );
        assert_eq!(
            Period::new(Timestamp(MONDAY - 2 * H), Timestamp(MONDAY), None, now),
            Err(InputError::AvailabilityPeriodPast)
        );
        assert_eq!(
            Period::new(Timestamp(MONDAY), Timestamp(MONDAY + H), Some(&"é".repeat(281)), now),
            Err(InputError::TextTooLong)
        );
        assert_eq!(
            Period::new(Timestamp(MONDAY), Timestamp(MONDAY + H), Some("a\u{7}"), now),
            Err(InputError::InvalidText)
        );
        let p = Period::new(Timestamp(MONDAY), Timestamp(MONDAY + H), Some("  "), now).expect("ok");
        assert_eq!(p.message, None);
        let p = Period::new(Timestamp(MONDAY), Timestamp(MONDAY + H), Some(&"é".repeat(280)), now).expect("ok");
        assert_eq!(p.message.map(|m| m.chars().count()), Some(280));
    }

    #[test]
    fn periods_may_not_overlap() {
        let now = Timestamp(0);
        let existing = [period(10 * H, 20 * H, None)];
        for (s, e) in [(5, 11), (15, 16), (19, 30), (0, 40), (10, 20)] {
            assert_eq!(
                check_new_period(&existing, &period(s * H, e * H, None), now),
                Err(InputError::AvailabilityPeriodsOverlap),
                "{s}-{e}"
            );
        }
        assert!(check_new_period(&existing, &period(20 * H, 30 * H, None), now).is_ok());
        assert!(check_new_period(&existing, &period(0, 10 * H, None), now).is_ok());
        let many: Vec<Period> = (0..100).map(|i| period(i * H, i * H + 1, None)).collect();
        assert_eq!(
            check_new_period(&many, &period(200 * H, 201 * H, None), now),
            Err(InputError::AvailabilityTooManyPeriods)
        );
        // Those already over do not count.
        assert!(check_new_period(&many, &period(200 * H, 201 * H, None), Timestamp(150 * H)).is_ok());
    }

    #[test]
    fn availability_follows_schedule_and_periods() {
        // Monday 9:00–12:00 and 13:00–17:00.
        let s = Schedule::parse(&[slot(1, 540, 720), slot(1, 780, 1020)]).expect("valid");
        let at = |h: i64| Timestamp(MONDAY + h * H);
        assert!(!is_available(&s, &[], at(8)));
        assert!(is_available(&s, &[], at(9)));
        assert!(!is_available(&s, &[], at(12)));
        assert!(is_available(&s, &[], at(16)));
        assert!(!is_available(&s, &[], at(17)));
        // Tuesday 10:00: no slot.
        assert!(!is_available(&s, &[], at(34)));
        // A period makes unavailable even within hours.
        let away = [period(MONDAY + 14 * H, MONDAY + 15 * H, None)];
        assert!(!is_available(&s, &away, at(14)));
        assert!(is_available(&s, &away, at(15)));
        // No schedule: always available, except in a period.
        let none = Schedule::default();
        assert!(is_available(&none, &[], at(3)));
        assert!(!is_available(&none, &away, at(14)));
    }

    #[test]
    fn schedule_is_in_local_time_across_daylight_saving() {
        // Monday 9:00–10:00 local.
        let s = Schedule::parse(&[slot(1, 540, 600)]).expect("valid");
        // Summer: 2026-07-13T13:30Z is 9:30 EDT.
        assert!(s.covers(Timestamp(1_783_949_400_000)));
        // Winter: 2026-11-23T14:30Z is Monday 9:30 EST; 13:30Z is 8:30.
        assert!(s.covers(Timestamp(1_795_444_200_000)));
        assert!(!s.covers(Timestamp(1_795_440_600_000)));
        // The same hours in Halifax are an hour earlier in UTC: 13:30Z is
        // 9:30 there.
        let halifax = s.in_zone(Zone::parse("America/Halifax").expect("known zone"));
        assert!(halifax.covers(Timestamp(1_795_440_600_000)));
        assert!(!halifax.covers(Timestamp(1_795_444_200_000)));
    }

    #[test]
    fn absent_until_gives_the_return_and_message() {
        let periods = [
            period(10 * H, 20 * H, Some("Vacances")),
            period(20 * H, 30 * H, None),
            period(40 * H, 50 * H, Some("Formation")),
        ];
        assert_eq!(absent_until(&periods, Timestamp(9 * H)), None);
        assert_eq!(
            absent_until(&periods, Timestamp(10 * H)),
            Some((Timestamp(30 * H), Some("Vacances".into())))
        );
        assert_eq!(
            absent_until(&periods, Timestamp(25 * H)),
            Some((Timestamp(30 * H), None))
        );
        assert_eq!(absent_until(&periods, Timestamp(30 * H)), None);
        assert_eq!(
            absent_until(&periods, Timestamp(45 * H)),
            Some((Timestamp(50 * H), Some("Formation".into())))
        );
        assert_eq!(absent_until(&periods, Timestamp(50 * H)), None);
    }
}
