-- Events carry a topic (issue 15): what they are about, a thread, a person,
-- an organization or a call, instead of a thread id that person entries
-- (the bell) had to fake as empty. The same SQL runs on SQLite and
-- PostgreSQL. SQLite adds a NOT NULL column only with a default; the
-- defaults stay but every insert names both columns.
ALTER TABLE events ADD COLUMN topic_kind TEXT NOT NULL DEFAULT 'thread';
ALTER TABLE events ADD COLUMN topic_id TEXT NOT NULL DEFAULT '';

-- The old bell entries (empty thread id, a list of people in the payload)
-- are deleted rather than converted: they were transient live signals
-- ("your notifications changed"); the notifications themselves are in
-- their own table, and a page that reconnects reads its count afresh.
-- Their ids stay used (event_head is not moved back), so ids already seen
-- by pages keep meaning what they meant.
DELETE FROM events WHERE thread_id = '';
UPDATE events SET topic_id = thread_id;

DROP INDEX events_thread;
ALTER TABLE events DROP COLUMN thread_id;
CREATE INDEX events_topic ON events(topic_kind, topic_id, id);
