//! When a notification may interrupt someone (SPEC 9), as pure functions of
//! the time passed in, so every decision can be tested with any clock.
//!
//! Messages are always delivered in the app; what these rules decide is
//! whether the person's devices ring now, when an unread notification
//! becomes an email, and how an unacknowledged high-priority message is
//! repeated and then escalated by SMS. The notification worker
//! (`cercle_app::notifications`) applies them.

use crate::availability::{is_available, Period, Schedule};
use crate::Timestamp;

crate::stored_kind!(
    /// What a notification is about (the `kind` column of `notifications`).
    NotificationKind {
        Message => "message",
        Triage => "triage",
        FriendRequest => "friend_request",
        PinnedVersion => "pinned_version",
        Invitation => "invitation",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    Normal,
    High,
}

/// What is known of the person notified, at the moment of deciding.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    pub schedule: &'a Schedule,
    pub periods: &'a [Period],
    /// The thread is muted by this person.
    pub muted: bool,
}

/// Whether the person's devices ring now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ring {
    /// Push to every subscribed device now.
    Now,
    /// Kept quiet: in the notification centre only (and by email if it
    /// stays unread, see [`email_alert_due`]).
    Quiet,
}

/// High priority breaks through everything (working hours, an absence, a
/// muted thread): a clinical emergency must reach someone. Otherwise a
/// muted thread stays quiet, and so does anything outside the person's
/// working hours or during an unavailability period.
pub fn ring(r: &Recipient<'_>, priority: Priority, at: Timestamp) -> Ring {
    match priority {
        Priority::High => Ring::Now,
        Priority::Normal if r.muted => Ring::Quiet,
        Priority::Normal if is_available(r.schedule, r.periods, at) => Ring::Now,
        Priority::Normal => Ring::Quiet,
    }
}

/// A thread rings a person at most once in this time for normal messages:
/// a burst of messages is one ring (the count in the centre and the bell
/// move with every message). It also keeps a busy thread from costing a
/// ring per message and per person.
pub const RING_AGAIN_AFTER_MS: i64 = 10_000;

/// When a normal notification rung at `rung_at` may ring again: `None` if
/// it may ring at `now`, else the moment it may. High priority is never
/// held back.
pub fn ring_again_at(priority: Priority, rung_at: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
    match (priority, rung_at) {
        (Priority::Normal, Some(at)) if now.0 < at.0 + RING_AGAIN_AFTER_MS => {
            Some(Timestamp(at.0 + RING_AGAIN_AFTER_MS))
        }
        _ => None,
    }
}

/// Whether an unread notification created at `created_at` is due as an
/// email at `now` (people without the app rely on it): only once, after
/// `delay_secs`, and only while the person could be interrupted (a quiet
/// notification waits for working hours, except high priority).
pub fn email_alert_due(
    r: &Recipient<'_>,
    priority: Priority,
    created_at: Timestamp,
    read: bool,
    already_emailed: bool,
    delay_secs: i64,
    now: Timestamp,
) -> bool {
    !read && !already_emailed && now.0 - created_at.0 >= delay_secs * 1000 && ring(r, priority, now) == Ring::Now
}

/// The first moment from `from` (included, to the minute) at which a
/// normal notification would ring, looking at most `horizon_days` ahead;
/// `None` for a muted thread or nothing within the horizon (then the worker
/// stops looking: the notification stays in the centre).
pub fn next_ring_time(r: &Recipient<'_>, from: Timestamp, horizon_days: i64) -> Option<Timestamp> {
    if r.muted {
        return None;
    }
    if ring(r, Priority::Normal, from) == Ring::Now {
        return Some(from);
    }
    // Minute by minute: slots start on minutes, and a period's end is at
    // most a minute away from the next boundary. Bounded by the horizon.
    let first = Timestamp((from.0.div_euclid(60_000) + 1) * 60_000);
    (0..horizon_days.clamp(0, 31) * 1440)
        .map(|i| first.plus_secs(i * 60))
        .find(|&t| ring(r, Priority::Normal, t) == Ring::Now)
}

/// How an unacknowledged high-priority message is followed up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escalation {
    /// Notify again this often until acknowledged.
    pub repeat_every_secs: i64,
    /// Send an SMS once this long after the message, if still unacknowledged.
    pub sms_after_secs: i64,
}

/// The next step for one recipient of a high-priority message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUp {
    /// Acknowledged: stop.
    Done,
    /// Nothing to do before `until`.
    Wait { until: Timestamp },
    /// Notify the devices again.
    Repeat,
    /// Escalate by SMS (once).
    Sms,
}

/// What to do at `now` for a high-priority message sent at `sent_at`, last
/// notified at `last_notified_at`, possibly already escalated by SMS.
pub fn follow_up(
    e: &Escalation,
    sent_at: Timestamp,
    last_notified_at: Timestamp,
    acknowledged: bool,
    sms_sent: bool,
    now: Timestamp,
) -> FollowUp {
    if acknowledged {
        return FollowUp::Done;
    }
    let sms_at = Timestamp(sent_at.0 + e.sms_after_secs * 1000);
    if !sms_sent && now >= sms_at {
        return FollowUp::Sms;
    }
    let repeat_at = Timestamp(last_notified_at.0 + e.repeat_every_secs * 1000);
    if now >= repeat_at {
        return FollowUp::Repeat;
    }
    let until = if sms_sent { repeat_at } else { repeat_at.min(sms_at) };
    FollowUp::Wait { until }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::availability::Slot;

    const MIN: i64 = 60_000;
    const H: i64 = 60 * MIN;
    /// Monday 2026-07-13 00:00 EDT (04:00 UTC).
    const MONDAY: i64 = 1_783_915_200_000;

    #[test]
    fn a_burst_rings_once_then_again_after_the_pause_high_priority_always() {
        let t = |ms| Timestamp(MONDAY + ms);
        assert_eq!(ring_again_at(Priority::Normal, None, t(0)), None);
        assert_eq!(
            ring_again_at(Priority::Normal, Some(t(0)), t(1)),
            Some(t(RING_AGAIN_AFTER_MS))
        );
        assert_eq!(
            ring_again_at(Priority::Normal, Some(t(0)), t(RING_AGAIN_AFTER_MS - 1)),
            Some(t(RING_AGAIN_AFTER_MS))
        );
        assert_eq!(
            ring_again_at(Priority::Normal, Some(t(0)), t(RING_AGAIN_AFTER_MS)),
            None
        );
        assert_eq!(ring_again_at(Priority::High, Some(t(0)), t(1)), None);
    }

    fn office_hours() -> Schedule {
        // Monday to Friday, 8:00 to 17:00.
        let slots: Vec<Slot> = (1..=5)
            .map(|day| Slot {
                day,
                start: 480,
                end: 1020,
            })
            .collect();
        Schedule::parse(&slots).expect("schedule")
    }

    fn at(ms: i64) -> Timestamp {
        Timestamp(ms)
    }

    #[test]
    fn working_hours_ring_and_the_evening_is_quiet() {
        let s = office_hours();
        let r = Recipient {
            schedule: &s,
            periods: &[],
            muted: false,
        };
        assert_eq!(ring(&r, Priority::Normal, at(MONDAY + 9 * H)), Ring::Now);
        assert_eq!(ring(&r, Priority::Normal, at(MONDAY + 20 * H)), Ring::Quiet);
        assert_eq!(ring(&r, Priority::Normal, at(MONDAY - 2 * H)), Ring::Quiet, "Sunday");
        assert_eq!(
            ring(&r, Priority::High, at(MONDAY + 20 * H)),
            Ring::Now,
            "high priority breaks through"
        );
    }

    #[test]
    fn an_absence_and_a_muted_thread_are_quiet_except_high_priority() {
        let s = office_hours();
        let away = [Period::new(at(MONDAY), at(MONDAY + 48 * H), Some("Congrès"), at(0)).expect("period")];
        let r = Recipient {
            schedule: &s,
            periods: &away,
            muted: false,
        };
        assert_eq!(ring(&r, Priority::Normal, at(MONDAY + 9 * H)), Ring::Quiet);
        assert_eq!(ring(&r, Priority::High, at(MONDAY + 9 * H)), Ring::Now);
        assert_eq!(
            ring(&r, Priority::Normal, at(MONDAY + 57 * H)),
            Ring::Now,
            "back on Wednesday 9:00"
        );
        let muted = Recipient {
            schedule: &s,
            periods: &[],
            muted: true,
        };
        assert_eq!(ring(&muted, Priority::Normal, at(MONDAY + 9 * H)), Ring::Quiet);
        assert_eq!(ring(&muted, Priority::High, at(MONDAY + 9 * H)), Ring::Now);
    }

    #[test]
    fn unread_notifications_become_one_email_after_the_delay_within_hours() {
        let s = office_hours();
        let r = Recipient {
            schedule: &s,
            periods: &[],
            muted: false,
        };
        let created = at(MONDAY + 9 * H);
        let due = |now: i64, read: bool, emailed: bool| {
            email_alert_due(&r, Priority::Normal, created, read, emailed, 15 * 60, at(now))
        };
        assert!(!due(MONDAY + 9 * H + 14 * MIN, false, false), "before the delay");
        assert!(due(MONDAY + 9 * H + 15 * MIN, false, false));
        assert!(!due(MONDAY + 9 * H + 15 * MIN, true, false), "read");
        assert!(!due(MONDAY + 9 * H + 15 * MIN, false, true), "only once");
        assert!(!due(MONDAY + 20 * H, false, false), "waits for working hours");
        assert!(due(MONDAY + 24 * H + 8 * H, false, false), "Tuesday 8:00");
    }

    #[test]
    fn a_quiet_notification_waits_for_the_next_working_minute() {
        let s = office_hours();
        let away = [Period::new(at(MONDAY), at(MONDAY + 24 * H + 10 * H), None, at(0)).expect("period")];
        let free = Recipient {
            schedule: &s,
            periods: &[],
            muted: false,
        };
        assert_eq!(next_ring_time(&free, at(MONDAY + 9 * H), 8), Some(at(MONDAY + 9 * H)));
        assert_eq!(
            next_ring_time(&free, at(MONDAY + 20 * H + 30_000), 8),
            Some(at(MONDAY + 24 * H + 8 * H)),
            "Tuesday 8:00"
        );
        let absent = Recipient { periods: &away, ..free };
        assert_eq!(
            next_ring_time(&absent, at(MONDAY + 9 * H), 8),
            Some(at(MONDAY + 24 * H + 10 * H)),
            "back on Tuesday 10:00"
        );
        assert_eq!(
            next_ring_time(&absent, at(MONDAY + 9 * H), 1),
            None,
            "beyond the horizon"
        );
        let muted = Recipient { muted: true, ..free };
        assert_eq!(next_ring_time(&muted, at(MONDAY + 9 * H), 8), None);
    }

    #[test]
    fn high_priority_repeats_then_escalates_by_sms_once_until_acknowledged() {
        let e = Escalation {
            repeat_every_secs: 5 * 60,
            sms_after_secs: 15 * 60,
        };
        let sent = at(MONDAY);
        assert_eq!(
            follow_up(&e, sent, sent, false, false, at(MONDAY + MIN)),
            FollowUp::Wait {
                until: at(MONDAY + 5 * MIN)
            }
        );
        assert_eq!(
            follow_up(&e, sent, sent, false, false, at(MONDAY + 5 * MIN)),
            FollowUp::Repeat
        );
        let last = at(MONDAY + 10 * MIN);
        assert_eq!(
            follow_up(&e, sent, last, false, false, at(MONDAY + 12 * MIN)),
            FollowUp::Wait {
                until: at(MONDAY + 15 * MIN)
            },
            "the SMS comes before the next repeat"
        );
        assert_eq!(
            follow_up(&e, sent, last, false, false, at(MONDAY + 15 * MIN)),
            FollowUp::Sms
        );
        assert_eq!(
            follow_up(&e, sent, at(MONDAY + 15 * MIN), false, true, at(MONDAY + 16 * MIN)),
            FollowUp::Wait {
                until: at(MONDAY + 20 * MIN)
            },
            "one SMS, then repeats go on"
        );
        assert_eq!(
            follow_up(&e, sent, last, true, false, at(MONDAY + 15 * MIN)),
            FollowUp::Done
        );
    }
}
