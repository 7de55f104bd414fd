-- Unread message notifications count their messages rather than store the
-- count (issue 16; docs/architecture.md, "Notifications"). The same SQL
-- runs on SQLite and PostgreSQL.
--
-- A thread counts its normal (not high-priority) messages as it numbers
-- them, and keeps the author of the last of them and the last author other
-- than that one, with their sequence numbers. An unread notification in
-- counting mode remembers the count and the thread's last sequence number
-- at the moment it started counting (from_normal, from_seq): its count is
-- then its stored count plus the thread's normal messages since, and its
-- actor the author of the latest of them that is not the person (the last
-- author, or when that is the person, the other one). A batch of messages so no longer writes
-- every participant's notification; only the authors' (their own messages
-- are taken off) and those whose ring or time must change. Reading a
-- notification freezes its count and actor (from_normal, from_seq NULL).
-- Existing threads start at 0 and existing notifications stay as they are
-- (NULL) until a message is folded into them.
ALTER TABLE threads ADD COLUMN normal_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE threads ADD COLUMN last_author TEXT;
ALTER TABLE threads ADD COLUMN last_author_seq BIGINT;
ALTER TABLE threads ADD COLUMN other_author TEXT;
ALTER TABLE threads ADD COLUMN other_author_seq BIGINT;
ALTER TABLE notifications ADD COLUMN from_normal BIGINT;
ALTER TABLE notifications ADD COLUMN from_seq BIGINT;
