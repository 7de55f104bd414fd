-- Calls (issue 17): an audio or video call of a thread, and the stretches
-- of time people spent in it. No audio or video is ever stored: these rows
-- are the call's metadata, from which the thread's history of calls is
-- read ("call started by …", "… joined", "call ended, duration …"). The
-- same SQL runs on SQLite and PostgreSQL.
--
-- A call rings (answered_at NULL), is active (answered_at set) or has
-- ended (ended_at, end_reason and, when ended for everyone, ended_by).
CREATE TABLE calls (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL REFERENCES threads(id),
    media TEXT NOT NULL,
    started_by TEXT NOT NULL REFERENCES users(id),
    started_at BIGINT NOT NULL,
    answered_at BIGINT,
    ended_at BIGINT,
    end_reason TEXT,
    ended_by TEXT REFERENCES users(id)
);
CREATE INDEX calls_thread ON calls(thread_id, started_at);
-- One call going on per thread at a time: a second start, even from
-- another node at the same moment, is refused by the database.
CREATE UNIQUE INDEX calls_one_active ON calls(thread_id) WHERE ended_at IS NULL;

-- One row per stretch of a person's time in a call: joining again after
-- leaving is a new row. In the call now: left_at NULL (at most one such
-- row per person and call); gone: left_at and left_how (left, removed,
-- call_ended), removed_by for removals.
CREATE TABLE call_participants (
    id TEXT PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES calls(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    joined_at BIGINT NOT NULL,
    muted BIGINT NOT NULL DEFAULT 0,
    hand_raised BIGINT NOT NULL DEFAULT 0,
    left_at BIGINT,
    left_how TEXT,
    removed_by TEXT REFERENCES users(id)
);
CREATE INDEX call_participants_call ON call_participants(call_id, joined_at);
CREATE UNIQUE INDEX call_participants_present ON call_participants(call_id, user_id) WHERE left_at IS NULL;
