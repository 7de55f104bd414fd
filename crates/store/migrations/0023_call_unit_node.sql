-- Which node's forwarding unit holds a call (issue 17, calls across nodes).
-- The same SQL runs on SQLite and PostgreSQL.
--
-- A call through the unit (topology 'sfu') is forwarded by ONE node's unit,
-- so that people connected to different nodes hear each other: the first
-- node with a unit that receives a signal to 'sfu' for the call claims it
-- (unit_node: that node's id, random for the life of its process) and
-- holds it while it renews unit_lease_until (ms; every few seconds). The
-- other nodes route the call's signals to it over the event bus. A lease
-- run out (the node stopped or died) lets another node take the call over.
ALTER TABLE calls ADD COLUMN unit_node TEXT;
ALTER TABLE calls ADD COLUMN unit_lease_until BIGINT;
-- A node renews the leases of the calls it holds that go on.
CREATE INDEX calls_unit_node ON calls(unit_node) WHERE ended_at IS NULL;
