-- Notifications (SPEC 9): what a person is told about (a new message, a new
-- thread in their team's triage box, a friend request, a new version of a
-- pinned document, an invitation), the in-app notification centre, and the
-- state the notification worker keeps to ring devices, send the unread email
-- alert and follow a high-priority message up until it is acknowledged.
--
-- A notification holds no content: its kind and the kind of thread choose a
-- generic text ("New message in a clinical thread"); `link` is a path within
-- Cercle that goes through the usual access checks when opened.

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    -- message | triage | friend_request | pinned_version | invitation
    kind TEXT NOT NULL,
    -- clinical | collaboration | direct | channel, or '' when not about a thread
    thread_kind TEXT NOT NULL DEFAULT '',
    thread_id TEXT,
    -- The high-priority message to acknowledge, for the follow-up.
    message_id TEXT,
    actor_id TEXT,
    link TEXT NOT NULL,
    high_priority BIGINT NOT NULL DEFAULT 0,
    -- Messages of one thread folded into this unread notification.
    count BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    read_at BIGINT,
    -- Delivery: a ring still to decide (set again when a message is folded
    -- in), pushes made (last one at rung_at), the email alert, the SMS.
    ring_pending BIGINT NOT NULL DEFAULT 1,
    rings BIGINT NOT NULL DEFAULT 0,
    rung_at BIGINT,
    emailed_at BIGINT,
    sms_at BIGINT,
    -- When the worker looks at it again; NULL once nothing is left to do.
    next_check_at BIGINT
);

CREATE INDEX notifications_user ON notifications (user_id, updated_at);
CREATE INDEX notifications_due ON notifications (next_check_at);
CREATE INDEX notifications_thread ON notifications (thread_id, user_id);

-- Threads a person muted: their normal messages stay in the centre without
-- ringing (high priority still rings).
CREATE TABLE thread_mutes (
    user_id TEXT NOT NULL REFERENCES users(id),
    thread_id TEXT NOT NULL REFERENCES threads(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, thread_id)
);

-- A person's choices; absent means the defaults (email alerts on, the
-- server's default delay).
CREATE TABLE notification_prefs (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    email_alerts BIGINT NOT NULL,
    email_delay_mins BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
