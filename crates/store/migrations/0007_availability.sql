-- Availability (SPEC 9): a weekly schedule of working hours per person, in
-- Montreal local time (day 0 = Sunday … 6 = Saturday, minutes from midnight,
-- several slots a day), and unavailability periods with their return.

CREATE TABLE availability_slots (
    user_id TEXT NOT NULL REFERENCES users(id),
    day BIGINT NOT NULL,
    start_minute BIGINT NOT NULL,
    end_minute BIGINT NOT NULL,
    PRIMARY KEY (user_id, day, start_minute)
);

-- ends_at is the return (excluded); message at most 280 characters.
CREATE TABLE availability_periods (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    message TEXT,
    created_at BIGINT NOT NULL
);

CREATE INDEX availability_periods_user_end ON availability_periods (user_id, ends_at);
