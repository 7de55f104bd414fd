-- Calls, ringing and presence (issue 17, second step). The same SQL runs
-- on SQLite and PostgreSQL.
--
-- A call started as high priority rings people through their working
-- hours, absences and muted threads, as a high-priority message does.
ALTER TABLE calls ADD COLUMN high_priority BIGINT NOT NULL DEFAULT 0;
-- Ringing calls nobody answered, found by the timeout sweep.
CREATE INDEX calls_ringing ON calls(started_at) WHERE ended_at IS NULL AND answered_at IS NULL;

-- When a participant's client last said it is there (joining, then a
-- heartbeat every few seconds). A present row whose last_seen_at is older
-- than the presence timeout is a vanished participant: the sweep marks it
-- gone (left_how 'lost'). Present rows of the previous step count from
-- their join.
ALTER TABLE call_participants ADD COLUMN last_seen_at BIGINT;
UPDATE call_participants SET last_seen_at = joined_at;
CREATE INDEX call_participants_seen ON call_participants(last_seen_at) WHERE left_at IS NULL;

-- Who declined a call (once per person and call): the history says
-- "… declined the call".
CREATE TABLE call_declines (
    call_id TEXT NOT NULL REFERENCES calls(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    declined_at BIGINT NOT NULL,
    PRIMARY KEY (call_id, user_id)
);
