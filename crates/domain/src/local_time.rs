//! Local time of the organizations (America/Montreal): UTC−5, and UTC−4 from
//! the second Sunday of March at 02:00 to the first Sunday of November at
//! 02:00, the rules in force since 2007, applied to every year. No time-zone
//! database needed; shared by the PDF export and availability schedules.

/// Seconds to add to UTC for Montreal local time at `utc` (Unix seconds).
pub fn montreal_offset(utc: i64) -> i64 {
    // The UTC year is the local year whenever it matters: around New Year
    // both sides are on standard time.
    let (year, _, _) = civil_from_days(utc.div_euclid(86_400));
    let start = nth_sunday(year, 3, 2) * 86_400 + 7 * 3600; // 02:00 EST is 07:00 UTC
    let end = nth_sunday(year, 11, 1) * 86_400 + 6 * 3600; // 02:00 EDT is 06:00 UTC
    if (start..end).contains(&utc) {
        -4 * 3600
    } else {
        -5 * 3600
    }
}

/// Montreal local time at `unix_ms`: (day of week, 0 = Sunday … 6 = Saturday;
/// minute of the day, 0–1439).
pub fn montreal_weekday_minute(unix_ms: i64) -> (u8, u16) {
    let utc = unix_ms.div_euclid(1000);
    let local = utc.saturating_add(montreal_offset(utc));
    let days = local.div_euclid(86_400);
    let weekday = (days + 4).rem_euclid(7); // 1970-01-01 was a Thursday
    let minute = local.rem_euclid(86_400) / 60;
    (weekday as u8, minute as u16)
}

/// The Unix time (ms) of a Montreal local date and minute of the day. In the
/// hour skipped in spring the standard-time reading is taken; in the hour
/// repeated in autumn, the first one.
pub fn montreal_to_utc_ms(year: i64, month: i64, day: i64, minute: i64) -> i64 {
    let local = days_from_civil(year, month, day) * 86_400 + minute * 60;
    let summer = local + 4 * 3600;
    let utc = if montreal_offset(summer) == -4 * 3600 {
        summer
    } else {
        local + 5 * 3600
    };
    utc * 1000
}

/// (year, month 1–12, day 1–31) of Montreal local time at `unix_ms`.
pub fn montreal_date(unix_ms: i64) -> (i64, i64, i64) {
    let utc = unix_ms.div_euclid(1000);
    civil_from_days((utc + montreal_offset(utc)).div_euclid(86_400))
}

/// Days since 1970-01-01 of the `n`th Sunday of a month.
pub fn nth_sunday(year: i64, month: i64, n: i64) -> i64 {
    let first = days_from_civil(year, month, 1);
    let weekday = (first + 4).rem_euclid(7); // 1970-01-01 was a Thursday; 0 is Sunday
    first + (7 - weekday) % 7 + 7 * (n - 1)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// (year, month 1–12, day 1–31) of a day counted from 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March is 0
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_and_minute_follow_daylight_saving() {
        // 2026-07-15T18:30:00Z is Wednesday 14:30 EDT.
        assert_eq!(montreal_weekday_minute(1_784_140_200_000), (3, 14 * 60 + 30));
        // 2026-11-22T19:05:00Z is Sunday 14:05 EST.
        assert_eq!(montreal_weekday_minute(1_795_374_300_000), (0, 14 * 60 + 5));
        // 2027-01-01T03:00:00Z is Thursday 2026-12-31 22:00 in Montreal.
        assert_eq!(montreal_weekday_minute(1_798_772_400_000), (4, 22 * 60));
        // Before 1970: 1969-12-31T23:59:59.999Z is Wednesday 18:59.
        assert_eq!(montreal_weekday_minute(-1), (3, 18 * 60 + 59));
    }

    #[test]
    fn local_dates_convert_back_to_utc() {
        assert_eq!(montreal_to_utc_ms(2026, 7, 15, 14 * 60 + 30), 1_784_140_200_000);
        assert_eq!(montreal_to_utc_ms(2026, 11, 22, 14 * 60 + 5), 1_795_374_300_000);
        assert_eq!(montreal_date(1_798_772_400_000), (2026, 12, 31));
        // Around the spring change: 01:59 EST, then 03:00 EDT.
        assert_eq!(montreal_to_utc_ms(2026, 3, 8, 60 + 59), 1_772_953_140_000);
        assert_eq!(montreal_to_utc_ms(2026, 3, 8, 3 * 60), 1_772_953_200_000);
    }
}
