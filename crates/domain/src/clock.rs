//! Time is an input: services read it from a [`Clock`] so that expiry and
//! lock-out rules can be tested without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn plus_secs(self, secs: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(secs.saturating_mul(1000)))
    }
    pub fn minus_secs(self, secs: i64) -> Timestamp {
        Timestamp(self.0.saturating_sub(secs.saturating_mul(1000)))
    }
    pub fn millis(self) -> i64 {
        self.0
    }
    pub fn unix_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }
    /// `YYYY-MM-DD HH:MM UTC`, for emails and lists (no time-zone database needed).
    pub fn to_utc_string(self) -> String {
        let secs = self.unix_secs();
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rem / 3600, (rem % 3600) / 60)
    }
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// A clock whose time the caller sets: used by tests, and by the test API
/// that lets integration tests move time forward.
#[derive(Debug, Default)]
pub struct ManualClock {
    offset_ms: AtomicI64,
    base_ms: AtomicI64,
}

impl ManualClock {
    pub fn starting_at(base: Timestamp) -> Self {
        ManualClock {
            offset_ms: AtomicI64::new(0),
            base_ms: AtomicI64::new(base.0),
        }
    }
    pub fn advance_secs(&self, secs: i64) {
        self.offset_ms.fetch_add(secs * 1000, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.base_ms.load(Ordering::SeqCst) + self.offset_ms.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc() {
        assert_eq!(Timestamp(0).to_utc_string(), "1970-01-01 00:00 UTC");
        // 2026-11-22 15:54:00 UTC
        assert_eq!(Timestamp(1_795_362_840_000).to_utc_string(), "2026-11-22 15:54 UTC");
    }

    #[test]
    fn manual_clock_moves() {
        let c = ManualClock::starting_at(Timestamp(1000));
        c.advance_secs(5);
        assert_eq!(c.now(), Timestamp(6000));
    }
}
