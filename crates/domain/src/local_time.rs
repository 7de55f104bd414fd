//! Dates and times as a person reads them: in their language and their time
//! zone. Time zones are data (one per organization, optionally one per
//! person), IANA names checked against the tz database that `jiff` bundles
//! in the binary, so every machine gives the same answer whatever its own
//! `/usr/share/zoneinfo` holds.
//!
//! Every date or time shown to a person goes through [`LocalTime`]; UTC is
//! kept for storage, CSV exports and the API.

use crate::{InputError, Language};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// The time zone of an organization that never chose one (Québec).
pub const DEFAULT_TIME_ZONE: &str = "America/Montreal";

/// Longest time-zone name accepted (the longest IANA name is 32 characters).
const MAX_NAME: usize = 64;

/// A time zone of the tz database, by its IANA name.
#[derive(Debug, Clone)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for Zone {}

impl Default for Zone {
    fn default() -> Self {
        Zone::montreal()
    }
}

impl Zone {
    /// An IANA name (`America/Halifax`), in any case; refused when the tz
    /// database does not know it. The stored name is the database's own
    /// spelling.
    pub fn parse(raw: &str) -> Result<Zone, InputError> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > MAX_NAME || !raw.chars().all(|c| c.is_ascii_graphic()) {
            return Err(InputError::InvalidTimeZone);
        }
        let tz = TimeZone::get(raw).map_err(|_| InputError::InvalidTimeZone)?;
        let name = tz.iana_name().unwrap_or(raw).to_string();
        Ok(Zone { name, tz })
    }

    /// America/Montreal, the default.
    pub fn montreal() -> Zone {
        Zone::parse(DEFAULT_TIME_ZONE).unwrap_or_else(|_| Zone {
            // Only if the bundled database were empty: plain UTC−5.
            name: DEFAULT_TIME_ZONE.to_string(),
            tz: TimeZone::fixed(jiff::tz::offset(-5)),
        })
    }

    /// The zone of a reader: their own if set, else their organization's,
    /// else the default. A stored name the database no longer knows falls
    /// through to the next one.
    pub fn first_of(names: &[Option<&str>]) -> Zone {
        names
            .iter()
            .flatten()
            .find_map(|n| Zone::parse(n).ok())
            .unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every name the bundled database knows, sorted (for pickers).
    pub fn all_names() -> Vec<String> {
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|n| n.as_str().to_string())
            .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("SystemV/"))
            .collect();
        names.push("UTC".to_string());
        names.sort();
        names.dedup();
        names
    }

    /// The wall-clock date and time at `unix_ms` (clamped to years −9999…9999).
    fn civil(&self, unix_ms: i64) -> DateTime {
        let ts = jiff::Timestamp::from_millisecond(unix_ms).unwrap_or(if unix_ms < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        });
        self.tz.to_datetime(ts)
    }

    /// Local time at `unix_ms`: (day of week, 0 = Sunday … 6 = Saturday;
    /// minute of the day, 0–1439).
    pub fn weekday_minute(&self, unix_ms: i64) -> (u8, u16) {
        let dt = self.civil(unix_ms);
        (
            dt.weekday().to_sunday_zero_offset() as u8,
            (dt.hour() as u16) * 60 + dt.minute() as u16,
        )
    }

    /// (year, month 1–12, day 1–31) of local time at `unix_ms`.
    pub fn date_of(&self, unix_ms: i64) -> (i64, i64, i64) {
        let dt = self.civil(unix_ms);
        (i64::from(dt.year()), i64::from(dt.month()), i64::from(dt.day()))
    }

    /// The Unix time (ms) of a local date and minute of the day. In an hour
    /// skipped in spring the reading before the change is taken (02:30 is
    /// 03:30 summer time); in an hour repeated in autumn, the first one.
    /// `None` for a date that does not exist.
    pub fn to_utc_ms(&self, year: i64, month: i64, day: i64, minute: i64) -> Option<i64> {
        let date = jiff::civil::Date::new(
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
        )
        .ok()?;
        let minute = minute.clamp(0, 1439);
        let dt = date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0);
        let zoned = dt.to_zoned_datetime(self.tz.clone()).ok()?;
        Some(zoned.timestamp().as_millisecond())
    }
}

/// The one formatter of dates and times shown to a person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalTime {
    pub lang: Language,
    pub zone: Zone,
}

impl LocalTime {
    pub fn new(lang: Language, zone: Zone) -> LocalTime {
        LocalTime { lang, zone }
    }

    /// "22 novembre 2026, 14 h 05" (the first of the month is "1er"),
    /// "November 22, 2026, 2:05 p.m.".
    pub fn date_time(&self, unix_ms: i64) -> String {
        let dt = self.zone.civil(unix_ms);
        let (hour, minute) = (dt.hour(), dt.minute());
        let date = self.civil_date(i64::from(dt.year()), i64::from(dt.month()), i64::from(dt.day()));
        match self.lang {
            Language::Fr => format!("{date}, {hour} h {minute:02}"),
            Language::En => {
                let (hour, suffix) = match hour {
                    0 => (12, "a.m."),
                    1..=11 => (hour, "a.m."),
                    12 => (12, "p.m."),
                    _ => (hour - 12, "p.m."),
                };
                format!("{date}, {hour}:{minute:02} {suffix}")
            }
        }
    }

    /// "22 novembre 2026", "November 22, 2026": the local date at `unix_ms`.
    pub fn date(&self, unix_ms: i64) -> String {
        let (y, m, d) = self.zone.date_of(unix_ms);
        self.civil_date(y, m, d)
    }

    /// A calendar date with no time zone (a birth date): "12 avril 1950",
    /// "April 12, 1950".
    pub fn civil_date(&self, year: i64, month: i64, day: i64) -> String {
        let month_index = (month - 1).clamp(0, 11) as usize;
        match self.lang {
            Language::Fr => {
                let day = if day == 1 { "1er".to_string() } else { day.to_string() };
                format!("{day} {} {year}", FR_MONTHS[month_index])
            }
            Language::En => format!("{} {day}, {year}", EN_MONTHS[month_index]),
        }
    }

    /// A stored `YYYY-MM-DD` date (a birth date) as words; anything else is
    /// shown as it is.
    pub fn iso_date(&self, raw: &str) -> String {
        match parse_iso_date(raw) {
            Some((y, m, d)) => self.civil_date(y, m, d),
            None => raw.to_string(),
        }
    }
}

/// The exact instant for machines (RFC 3339, UTC): `2026-11-22T19:05:00Z`.
pub fn rfc3339(unix_ms: i64) -> String {
    jiff::Timestamp::from_millisecond(unix_ms)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

/// (year, month, day) of a valid `YYYY-MM-DD` date.
pub fn parse_iso_date(raw: &str) -> Option<(i64, i64, i64)> {
    let date: jiff::civil::Date = raw.trim().parse().ok()?;
    Some((i64::from(date.year()), i64::from(date.month()), i64::from(date.day())))
}

const FR_MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const EN_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn montreal() -> Zone {
        Zone::montreal()
    }

    fn both(unix_ms: i64) -> (String, String) {
        both_in(&montreal(), unix_ms)
    }

    fn both_in(zone: &Zone, unix_ms: i64) -> (String, String) {
        (
            LocalTime::new(Language::Fr, zone.clone()).date_time(unix_ms),
            LocalTime::new(Language::En, zone.clone()).date_time(unix_ms),
        )
    }

    fn pair(fr: &str, en: &str) -> (String, String) {
        (fr.to_string(), en.to_string())
    }

    #[test]
    fn zones_are_checked_against_the_database() {
        assert_eq!(
            Zone::parse("America/Halifax").map(|z| z.name().to_string()),
            Ok("America/Halifax".into())
        );
        // Any case; stored in the database's spelling.
        assert_eq!(
            Zone::parse(" america/halifax ").map(|z| z.name().to_string()),
            Ok("America/Halifax".into())
        );
        for bad in [
            "",
            "Mars/Olympus_Mons",
            "America/Mont real",
            "../../etc/passwd",
            &"A/".repeat(40),
        ] {
            assert_eq!(Zone::parse(bad), Err(InputError::InvalidTimeZone), "{bad:?}");
        }
        assert_eq!(Zone::default().name(), DEFAULT_TIME_ZONE);
        assert_eq!(
            Zone::first_of(&[None, Some("America/Halifax")]).name(),
            "America/Halifax"
        );
        assert_eq!(
            Zone::first_of(&[Some("Europe/Paris"), Some("America/Halifax")]).name(),
            "Europe/Paris"
        );
        assert_eq!(Zone::first_of(&[Some("gone/zone"), None]).name(), DEFAULT_TIME_ZONE);
        let names = Zone::all_names();
        assert!(names.iter().any(|n| n == "America/Halifax"));
        assert!(names.iter().any(|n| n == "America/Toronto"));
        assert!(names.len() > 300, "{}", names.len());
    }

    #[test]
    fn summer_is_utc_minus_4_in_montreal() {
        // 2026-07-15T18:30:00Z
        assert_eq!(
            both(1_784_140_200_000),
            pair("15 juillet 2026, 14 h 30", "July 15, 2026, 2:30 p.m.")
        );
        // Milliseconds are dropped, not rounded.
        assert_eq!(
            both(1_795_374_300_999),
            pair("22 novembre 2026, 14 h 05", "November 22, 2026, 2:05 p.m.")
        );
    }

    #[test]
    fn winter_is_utc_minus_5_in_montreal() {
        assert_eq!(
            both(1_795_374_300_000),
            pair("22 novembre 2026, 14 h 05", "November 22, 2026, 2:05 p.m.")
        );
        // 2027-01-01T03:00:00Z is still 2026 in Montreal.
        assert_eq!(
            both(1_798_772_400_000),
            pair("31 décembre 2026, 22 h 00", "December 31, 2026, 10:00 p.m.")
        );
        assert_eq!(
            both(-1),
            pair("31 décembre 1969, 18 h 59", "December 31, 1969, 6:59 p.m.")
        );
    }

    #[test]
    fn halifax_is_one_hour_ahead_of_montreal() {
        let halifax = Zone::parse("America/Halifax").expect("known zone");
        // 2026-12-02T14:27:00Z: 9 h 27 in Montreal, 10 h 27 in Halifax.
        let at = 1_796_221_620_000;
        assert_eq!(both(at), pair("2 décembre 2026, 9 h 27", "December 2, 2026, 9:27 a.m."));
        assert_eq!(
            both_in(&halifax, at),
            pair("2 décembre 2026, 10 h 27", "December 2, 2026, 10:27 a.m.")
        );
    }

    #[test]
    fn spring_forward_on_the_second_sunday_of_march() {
        // 2026-03-08: 01:59:59 EST, then 03:00 EDT.
        assert_eq!(
            both(1_772_953_199_000),
            pair("8 mars 2026, 1 h 59", "March 8, 2026, 1:59 a.m.")
        );
        assert_eq!(
            both(1_772_953_200_000),
            pair("8 mars 2026, 3 h 00", "March 8, 2026, 3:00 a.m.")
        );
        // The first Sunday of March 2026 (the 1st) is still winter.
        assert_eq!(
            both(1_772_366_400_000),
            pair("1er mars 2026, 7 h 00", "March 1, 2026, 7:00 a.m.")
        );
        // Halifax changes at its own 02:00, an hour before Montreal.
        let halifax = Zone::parse("America/Halifax").expect("known zone");
        assert_eq!(
            both_in(&halifax, 1_772_949_600_000),
            pair("8 mars 2026, 3 h 00", "March 8, 2026, 3:00 a.m.")
        );
    }

    #[test]
    fn fall_back_on_the_first_sunday_of_november() {
        // 2026-11-01: 01:59 EDT, then 01:00 EST again.
        assert_eq!(
            both(1_793_512_740_000),
            pair("1er novembre 2026, 1 h 59", "November 1, 2026, 1:59 a.m.")
        );
        assert_eq!(
            both(1_793_512_800_000),
            pair("1er novembre 2026, 1 h 00", "November 1, 2026, 1:00 a.m.")
        );
    }

    #[test]
    fn noon_midnight_and_extremes() {
        assert_eq!(
            both(1_780_286_400_000),
            pair("1er juin 2026, 0 h 00", "June 1, 2026, 12:00 a.m.")
        );
        assert_eq!(
            both(1_780_329_600_000),
            pair("1er juin 2026, 12 h 00", "June 1, 2026, 12:00 p.m.")
        );
        assert_eq!(
            both(1_780_333_260_000),
            pair("1er juin 2026, 13 h 01", "June 1, 2026, 1:01 p.m.")
        );
        // Out-of-range times are clamped, never a panic.
        assert!(both(i64::MAX).0.contains("9999"));
        assert!(both(i64::MIN).1.contains("-9999"));
    }

    #[test]
    fn dates_and_birth_dates_in_words() {
        let fr = LocalTime::new(Language::Fr, montreal());
        let en = LocalTime::new(Language::En, montreal());
        assert_eq!(fr.iso_date("1950-04-12"), "12 avril 1950");
        assert_eq!(en.iso_date("1950-04-12"), "April 12, 1950");
        assert_eq!(fr.iso_date("1950-04-01"), "1er avril 1950");
        assert_eq!(en.iso_date("1950-02-30"), "1950-02-30");
        // The local date: 2027-01-01T03:00Z is still December 31 in Montreal.
        assert_eq!(fr.date(1_798_772_400_000), "31 décembre 2026");
        assert_eq!(en.date(1_798_772_400_000), "December 31, 2026");
    }

    #[test]
    fn instants_for_machines_are_utc() {
        assert_eq!(rfc3339(1_795_374_300_000), "2026-11-22T19:05:00Z");
    }

    #[test]
    fn weekday_and_minute_follow_daylight_saving() {
        let z = montreal();
        // 2026-07-15T18:30:00Z is Wednesday 14:30 EDT.
        assert_eq!(z.weekday_minute(1_784_140_200_000), (3, 14 * 60 + 30));
        // 2026-11-22T19:05:00Z is Sunday 14:05 EST.
        assert_eq!(z.weekday_minute(1_795_374_300_000), (0, 14 * 60 + 5));
        // 2027-01-01T03:00:00Z is Thursday 2026-12-31 22:00 in Montreal.
        assert_eq!(z.weekday_minute(1_798_772_400_000), (4, 22 * 60));
        // Before 1970: 1969-12-31T23:59:59.999Z is Wednesday 18:59.
        assert_eq!(z.weekday_minute(-1), (3, 18 * 60 + 59));
    }

    #[test]
    fn local_dates_convert_back_to_utc() {
        let z = montreal();
        assert_eq!(z.to_utc_ms(2026, 7, 15, 14 * 60 + 30), Some(1_784_140_200_000));
        assert_eq!(z.to_utc_ms(2026, 11, 22, 14 * 60 + 5), Some(1_795_374_300_000));
        assert_eq!(z.date_of(1_798_772_400_000), (2026, 12, 31));
        // Around the spring change: 01:59 EST, then 03:00 EDT; 02:30 does
        // not exist and is read as 03:30 EDT.
        assert_eq!(z.to_utc_ms(2026, 3, 8, 60 + 59), Some(1_772_953_140_000));
        assert_eq!(z.to_utc_ms(2026, 3, 8, 3 * 60), Some(1_772_953_200_000));
        assert_eq!(z.to_utc_ms(2026, 3, 8, 2 * 60 + 30), Some(1_772_955_000_000));
        // The repeated hour in autumn: the first 01:30 (EDT).
        assert_eq!(z.to_utc_ms(2026, 11, 1, 90), Some(1_793_511_000_000));
        assert_eq!(z.to_utc_ms(2026, 2, 30, 0), None);
    }
}
