-- Web Push (SPEC 9): the browsers a person subscribed for notifications, and
-- the deliveries to them still to be made (retried with back-off while the
-- push service is unreachable; removed once delivered or given up).

-- One row per person and browser subscription: several accounts on one
-- shared device may each subscribe the same endpoint.
CREATE TABLE push_subscriptions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    endpoint TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_success_at BIGINT,
    UNIQUE (user_id, endpoint)
);

CREATE INDEX push_subscriptions_endpoint ON push_subscriptions (endpoint);

-- payload: the JSON shown by the service worker (generic title, body, URL:
-- never patient data).
CREATE TABLE push_deliveries (
    id TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
    payload TEXT NOT NULL,
    ttl_secs BIGINT NOT NULL,
    urgency TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX push_deliveries_due ON push_deliveries (next_attempt_at);
CREATE INDEX push_deliveries_subscription ON push_deliveries (subscription_id);
